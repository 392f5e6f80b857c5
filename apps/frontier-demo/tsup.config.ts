import { executableConfig } from '../../tsup.shared';

export default executableConfig('src/main.ts');
