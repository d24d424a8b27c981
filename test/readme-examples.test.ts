import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/*
 * Every TypeScript example in the README compiles against the library as it is: a renamed
 * option, a changed signature or a misspelt preset breaks this test before it misleads a user.
 * Each block is its own module, type-checked with a user's usual strict settings; names the
 * prose leaves to the reader (`router`, `messages`, `providers`…) are declared once, globally,
 * and a block that defines one itself shadows it.
 */

const root = join(import.meta.dirname, '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);

/** A block that is an object's properties rather than statements: checked as the type it documents. */
const fragments: Record<string, (block: string) => string> = {
  'jurisdiction: {': (block) => `import type { JurisdictionFacts } from 'sovroute';\nconst example: { jurisdiction: JurisdictionFacts } = {\n${block}\n};\nvoid example;`,
};

const globals = `
declare const createRouter: typeof import('sovroute').createRouter;
declare const defaultCatalog: typeof import('sovroute').defaultCatalog;
declare const scaleway: typeof import('sovroute').scaleway;
declare const azureOpenAI: typeof import('sovroute').azureOpenAI;
declare const router: import('sovroute').Router;
declare const providers: import('sovroute').Provider[];
declare const messages: import('sovroute').ChatCompletionCreateParams['messages'];
declare const expectedLastHash: string;
declare const ship: (record: import('sovroute').AuditRecord) => void;
declare const onError: (failure: import('sovroute').AuditFailure) => void;
`;

describe('README examples', () => {
  it('has TypeScript examples to check', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(10);
  });

  it('all compile against the library', () => {
    const dir = join(root, 'node_modules', '.cache', 'readme-examples');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'globals.d.ts'), globals);
    const files = blocks.map((block, index) => {
      const fragment = Object.entries(fragments).find(([start]) => block.startsWith(start));
      const file = join(dir, `block-${index + 1}.ts`);
      writeFileSync(file, `${fragment ? fragment[1](block) : block}\nexport {};\n`);
      return file;
    });
    const program = ts.createProgram([join(dir, 'globals.d.ts'), ...files], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
      types: ['node'],
      skipLibCheck: true,
      baseUrl: root,
      paths: { sovroute: ['src/index.ts'], 'sovroute/node': ['src/node/index.ts'] },
    });
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((diagnostic) => diagnostic.file === undefined || files.includes(diagnostic.file.fileName) || diagnostic.file.fileName.endsWith('globals.d.ts'))
      .map((diagnostic) => {
        const where = diagnostic.file ? `${diagnostic.file.fileName.split('/').pop()}:${diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line + 1}` : 'README';
        return `${where} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
      });
    expect(problems).toEqual([]);
  }, 60_000);
});
