import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * The published types against the `openai` SDK's, majors 4 to 7 (devDependencies `openai-v4` …
 * `openai-v7`). For each major, a user's project: `node_modules/sovroute` links to this package
 * (its built dist), `node_modules/openai` to that major, and the fixtures of test/openai-types
 * plus the examples of the README and docs/ that use the SDK are compiled by tsc under `strict`,
 * `exactOptionalPropertyTypes` and `noUncheckedIndexedAccess`. Half the projects are ES
 * modules (dist/*.d.ts) and half CommonJS (dist/*.d.cts). One tsc per major, all at once.
 */

const root = join(import.meta.dirname, '..');
const fixtures = join(import.meta.dirname, 'openai-types');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

const projects = [
  { major: 4, type: 'module' },
  { major: 5, type: 'commonjs' },
  { major: 6, type: 'module' },
  { major: 7, type: 'commonjs' },
] as const;

/** The TypeScript examples of the README and docs/ that use the SDK: each compiled against every major. */
const documents = ['README.md', ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).sort().map((name) => join('docs', name))];
const readmeBlocks = documents
  .flatMap((document) => [...readFileSync(join(root, document), 'utf8').matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1]!))
  .filter((block) => /from 'openai'/.test(block));

/**
 * openai 4 types its `fetch` option with node-fetch's Request and Response, which no standard
 * fetch matches (the README says so): its example of `fetch: router.fetch` is left out there.
 */
function readmeBlocksFor(major: number): string[] {
  return major === 4 ? readmeBlocks.filter((block) => !block.includes('fetch: router.fetch')) : readmeBlocks;
}

/** What the prose of the README and docs/ leaves to the reader. */
const readmeGlobals = `declare const router: import('sovroute').Router;\n`;

interface Diagnostic {
  file: string;
  line: number;
  message: string;
}

/** tsc's `--pretty false` output: `file(line,col): error TSn: message`, continued on indented lines. */
function parseDiagnostics(output: string): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const line of output.split('\n')) {
    const head = /^(.+?)\((\d+),\d+\): error (TS\d+: .*)$/.exec(line);
    if (head) diagnostics.push({ file: head[1]!, line: Number(head[2]), message: head[3]! });
    else if (line.trim() !== '' && diagnostics.length > 0) diagnostics.at(-1)!.message += `\n${line}`;
    else if (line.trim() !== '') diagnostics.push({ file: '', line: 0, message: line });
  }
  return diagnostics;
}

function createProject(major: number, type: 'module' | 'commonjs'): string {
  const project = mkdtempSync(join(tmpdir(), `sovroute-openai-v${major}-`));
  mkdirSync(join(project, 'node_modules'));
  symlinkSync(root, join(project, 'node_modules', 'sovroute'), 'dir');
  symlinkSync(join(root, 'node_modules', `openai-v${major}`), join(project, 'node_modules', 'openai'), 'dir');
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: `consumer-v${major}`, private: true, type }));
  for (const name of readdirSync(fixtures)) copyFileSync(join(fixtures, name), join(project, name));
  writeFileSync(join(project, 'readme-globals.d.ts'), readmeGlobals);
  // ES modules whatever the project's type: the examples use top-level await.
  readmeBlocksFor(major).forEach((block, index) => writeFileSync(join(project, `readme-${index + 1}.mts`), `${block}\nexport {};\n`));
  const compilerOptions = {
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    noEmit: true,
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2022'],
    types: ['node'],
    typeRoots: [join(root, 'node_modules', '@types')],
    skipLibCheck: true,
  };
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['*.ts', '*.mts'] }));
  return project;
}

function compile(project: string): Promise<Diagnostic[]> {
  return new Promise((resolve) => {
    execFile(process.execPath, [tsc, '-p', project, '--pretty', 'false'], { cwd: project, maxBuffer: 16 * 1024 * 1024 }, (_error, stdout, stderr) =>
      resolve(parseDiagnostics(`${stdout}${stderr}`)),
    );
  });
}

const results = new Map<number, Diagnostic[]>();
const created: string[] = [];

// dist is built (when stale) by test/global-setup.ts before any test file runs.
beforeAll(async () => {
  const runs = projects.map(async ({ major, type }) => {
    const project = createProject(major, type);
    created.push(project);
    results.set(major, await compile(project));
  });
  await Promise.all(runs);
}, 300_000);

afterAll(() => {
  for (const project of created) rmSync(project, { recursive: true, force: true });
});

function errorsIn(major: number, file: string): Diagnostic[] {
  return results.get(major)!.filter((diagnostic) => diagnostic.file === file);
}

describe.each(projects)('the published types with openai $major ($type)', ({ major }) => {
  it('has the SDK major it tests', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'node_modules', `openai-v${major}`, 'package.json'), 'utf8')) as { version: string };
    expect(manifest.version.split('.')[0]).toBe(String(major));
  });

  it("compiles a tool-calling loop over the SDK's message and tool types, with no cast", () => {
    expect(errorsIn(major, 'tool-loop.ts')).toEqual([]);
  });

  it("takes every request value the SDK's types describe", () => {
    expect(errorsIn(major, 'request-values.ts')).toEqual([]);
  });

  it("answers values assignable to the SDK's ChatCompletion, chunk, embeddings, completion and model types", () => {
    expect(errorsIn(major, 'response-values.ts')).toEqual([]);
  });

  it('still refuses what must not compile (every @ts-expect-error is an error)', () => {
    expect(errorsIn(major, 'must-not-compile.ts')).toEqual([]);
  });

  it("compiles the README's and docs' examples that use the SDK", () => {
    expect(readmeBlocksFor(major).length).toBeGreaterThanOrEqual(major === 4 ? 2 : 4);
    const readme = results.get(major)!.filter((diagnostic) => diagnostic.file.startsWith('readme-'));
    expect(readme).toEqual([]);
  });

  it('names router types by their public names in compile errors', () => {
    const errors = errorsIn(major, 'error-names.ts');
    expect(errors.map((error) => error.line)).toEqual([15, 16]);
    expect(errors[0]!.message).toMatch(/^TS2322: Type 'ChatCompletion' is not assignable to type 'number'\./);
    // The SDK's ChatCompletion into the router's: both sides named ChatCompletion, each with its module.
    expect(errors[1]!.message).toMatch(/^TS\d+: Type 'import\("[^']*\)\.ChatCompletion\[\]' is not assignable to type 'import\("[^']*\)\.ChatCompletion\[\]'/);
    expect(errors[1]!.message).toMatch(/missing the following properties from type 'ChatCompletion': provider, route/);
    for (const { message } of errors) {
      // What a bundled build printed: `import("…/dist/export-audit-DLCEU7Xn").u`, a shared chunk's
      // one- or two-letter alias.
      expect(message).not.toMatch(/import\("[^"]*"[^)]*\)\.[A-Za-z_$][\w$]?(?![\w$])/);
      expect(message).not.toMatch(/export-audit-/);
    }
  });

  it('reports nothing anywhere else', () => {
    const known = new Set(['tool-loop.ts', 'request-values.ts', 'response-values.ts', 'must-not-compile.ts', 'error-names.ts']);
    const elsewhere = results.get(major)!.filter((diagnostic) => !known.has(diagnostic.file) && !diagnostic.file.startsWith('readme-'));
    expect(elsewhere).toEqual([]);
  });
});
