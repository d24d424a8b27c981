import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/*
 * Every TypeScript example in the README and in docs/ compiles against the library as it is: a
 * renamed option, a changed signature or a misspelt preset breaks this test before it misleads a
 * user.
 * Each block is its own module, type-checked with a user's usual strict settings; names the
 * prose leaves to the reader (`router`, `messages`, `providers`…) are declared once, globally,
 * and a block that defines one itself shadows it.
 */

const root = join(import.meta.dirname, '..');
const documents = ['README.md', ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).sort().map((name) => `docs/${name}`)];
/** Each block with a file name saying where it comes from: `README-3.ts`, `docs-providers-2.ts`. */
const blocks = documents.flatMap((document) =>
  [...readFileSync(join(root, document), 'utf8').matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match, index) => ({
    name: `${document.replace(/\.md$/, '').replace('/', '-')}-${index + 1}`,
    code: match[1]!,
  })),
);

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
declare const tracer: NonNullable<import('sovroute').TelemetryOptions['tracer']>;
declare const meter: NonNullable<import('sovroute').TelemetryOptions['meter']>;
declare const pino: () => import('sovroute').Logger;
`;

describe('README and docs examples', () => {
  it('has TypeScript examples to check, in the README and in docs/', () => {
    expect(blocks.filter((block) => block.name.startsWith('README-')).length).toBeGreaterThanOrEqual(5);
    expect(blocks.length).toBeGreaterThanOrEqual(20);
  });

  it('all compile against the library', () => {
    const dir = join(root, 'node_modules', '.cache', 'readme-examples');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'globals.d.ts'), globals);
    const files = blocks.map(({ name, code }) => {
      const fragment = Object.entries(fragments).find(([start]) => code.startsWith(start));
      const file = join(dir, `${name}.ts`);
      writeFileSync(file, `${fragment ? fragment[1](code) : code}\nexport {};\n`);
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
      paths: { sovroute: ['src/index.ts'], 'sovroute/node': ['src/node/index.ts'], 'sovroute/postgres': ['src/postgres/index.ts'] },
    });
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((diagnostic) => diagnostic.file === undefined || files.includes(diagnostic.file.fileName) || diagnostic.file.fileName.endsWith('globals.d.ts'))
      .map((diagnostic) => {
        const where = diagnostic.file ? `${diagnostic.file.fileName.split('/').pop()}:${diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line + 1}` : 'examples';
        return `${where} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
      });
    expect(problems).toEqual([]);
  }, 60_000);
});
