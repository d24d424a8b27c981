import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds the package once, before any test file runs, when dist is missing or older than the
 * sources or the build's configuration: tests that go through the built package (the package
 * test, the hardening regressions) then test the code as it is, and no two files race to build.
 */
export default function buildIfStale(): void {
  const built = join(root, 'dist', 'index.js');
  const inputs = Math.max(
    newestSource(join(root, 'src')),
    newestSource(join(root, 'scripts')),
    ...['tsup.config.ts', 'tsconfig.build.json', 'package.json'].map((file) => statSync(join(root, file)).mtimeMs),
  );
  if (!existsSync(built) || statSync(built).mtimeMs < inputs) {
    // The package's own build, which empties dist first: no stale file is left to be published.
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'pipe' });
  }
}
