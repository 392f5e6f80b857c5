import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEMO_CHOICE } from '../demo-choice';
import { STUDY_FILES, studyResultsOf } from './folder';
import { renderStudyHtml } from './html';
import { renderStudyMarkdown, studyResultsJson } from './render';

// The committed studies are the project's evidence: `paretopo report docs/results/<task>` must
// print exactly the committed tables from the committed logs, with today's code.
const RESULTS = fileURLToPath(new URL('../../../../docs/results', import.meta.url));
const studies = readdirSync(RESULTS).filter((d) => existsSync(join(RESULTS, d, STUDY_FILES.resultsMd)) && existsSync(join(RESULTS, d, STUDY_FILES.spec)));

describe('committed study results', () => {
  it('both tasks\' studies are committed (arith, kb)', () => {
    expect(studies).toEqual(expect.arrayContaining(['arith', 'kb']));
  });

  it.each(studies)('docs/results/%s: results.md, results.json and report.html are what the report prints from the committed logs', (task) => {
    const dir = join(RESULTS, task);
    const { folder, results } = studyResultsOf(dir);
    expect(results.missing).toEqual([]);
    expect(renderStudyMarkdown(results, folder.provenance)).toBe(readFileSync(join(dir, STUDY_FILES.resultsMd), 'utf8'));
    expect(studyResultsJson(results, folder.provenance)).toBe(readFileSync(join(dir, STUDY_FILES.resultsJson), 'utf8'));
    expect(renderStudyHtml(results, { title: `paretopo study: ${results.env}`, finalRuns: folder.final })).toBe(readFileSync(join(dir, STUDY_FILES.report), 'utf8'));
  });

  it("DEMO_CHOICE is the arith study's choice: ParetoPO's and grpo-acc's learning rates, the arm's overrides, the RL budget and the warm start's settings", () => {
    const dir = join(RESULTS, 'arith');
    const { results } = studyResultsOf(dir);
    const spec = JSON.parse(readFileSync(join(dir, STUDY_FILES.spec), 'utf8'));
    expect(DEMO_CHOICE.method).toBe(results.primaryChoice.method);
    expect(DEMO_CHOICE.lr).toBe(results.primaryChoice.lr);
    expect(DEMO_CHOICE.config).toEqual(results.primaryChoice.config ?? {});
    expect(DEMO_CHOICE.baselineLr).toBe(results.sweep.find((s) => s.arm === 'grpo-acc')!.chosenLr);
    expect(DEMO_CHOICE.budget).toEqual(spec.train);
    expect(DEMO_CHOICE.sft).toEqual(spec.sft);
    expect(DEMO_CHOICE.source).toContain('docs/results/arith');
  });
});
