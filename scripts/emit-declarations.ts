import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';

/*
 * The package's type declarations: one `.d.ts` per source module, emitted by tsc, and a `.d.cts`
 * twin of each for `require` users. Not bundled on purpose: a bundler's shared chunk renames
 * the types both entry points use (`export { ChatCompletion as u }` in a hashed file), and a
 * user's compiler error then names `import("…/export-audit-DLCEU7Xn").u` instead of
 * `ChatCompletion`. Module by module, every type keeps its own name and file.
 */

/** `./x.js` → `./x.cjs` in relative specifiers, so a `.d.cts` resolves its neighbours' `.d.cts`. */
export function toCommonJs(declaration: string): string {
  return declaration.replace(/((?:from|import)\s*\(?\s*)(['"])(\.\.?\/[^'"]*?)\.js\2/g, '$1$2$3.cjs$2');
}

/** Emits the declarations of `root/tsconfig.build.json`; throws with tsc's diagnostics on an error. */
export function emitDeclarations(root: string): void {
  const configPath = join(root, 'tsconfig.build.json');
  const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (diagnostic) => fail(root, [diagnostic]) });
  if (!config) throw new Error(`cannot read ${configPath}`);
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
  const result = program.emit(undefined, (fileName, text) => {
    mkdirSync(dirname(fileName), { recursive: true });
    writeFileSync(fileName, text);
    if (fileName.endsWith('.d.ts')) writeFileSync(`${fileName.slice(0, -'.d.ts'.length)}.d.cts`, toCommonJs(text));
  });
  const errors = [...config.errors, ...ts.getPreEmitDiagnostics(program), ...result.diagnostics].filter(
    (diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error,
  );
  if (errors.length > 0 || result.emitSkipped) fail(root, errors);
}

function fail(root: string, diagnostics: readonly ts.Diagnostic[]): never {
  const host: ts.FormatDiagnosticsHost = { getCanonicalFileName: (name) => name, getCurrentDirectory: () => root, getNewLine: () => '\n' };
  throw new Error(`type declarations failed:\n${ts.formatDiagnostics(diagnostics, host)}`);
}
