import type { Tool } from '@paretopo/envs';

/**
 * A system prompt that explains the protocol to a chat model: the tools, how to call them, and
 * the answer tag. In the text-tag protocol calls are `<tag>argument</tag>` and results come back
 * in the result tag; in the native protocol the tools travel as OpenAI functions.
 *
 * @param tools - The tools offered.
 * @param protocol - `'text'` (default) or `'native'`.
 * @param answerTag - Answer tag. Default `'ans'`.
 * @returns The prompt text.
 * @example
 * systemPrompt([createCalculator()]).includes('<calc>'); // true
 */
export function systemPrompt(
  tools: readonly Pick<Tool<unknown>, 'name' | 'description' | 'tag' | 'resultTag'>[],
  protocol: 'text' | 'native' = 'text',
  answerTag = 'ans',
): string {
  const answer = `Write the final answer alone inside <${answerTag}></${answerTag}>, e.g. <${answerTag}>42</${answerTag}>.`;
  if (tools.length === 0) return `Answer the question. ${answer}`;
  if (protocol === 'native') return `Answer the question. Call a tool only when it helps. ${answer}`;
  const lines = tools.map((t) => `- <${t.tag}>…</${t.tag}>: ${t.name}. ${t.description} The result comes back as <${t.resultTag}>…</${t.resultTag}>.`);
  return [
    'Answer the question. You may call a tool by writing its tag; stop right after the closing tag and wait for the result.',
    ...lines,
    `Call a tool only when it helps. ${answer}`,
  ].join('\n');
}
