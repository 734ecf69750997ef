// Installs the devDependencies with `npm ci` only when node_modules does not match
// package-lock.json (npm keeps a copy of the lock it installed as node_modules/.package-lock.json).
// So a build after the first install runs offline and costs a file comparison; `--prefer-offline`
// takes what the npm cache already has.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const installed = new URL('node_modules/.package-lock.json', root);

function packages(file) {
  const all = { ...(JSON.parse(readFileSync(file, 'utf8')).packages || {}) };
  delete all['']; // the root entry: only the lock has it
  return JSON.stringify(all);
}

const wanted = packages(new URL('package-lock.json', root));
if (existsSync(installed) && packages(installed) === wanted) {
  process.exit(0);
}
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
execFileSync(npm, ['ci', '--prefer-offline', '--no-audit', '--no-fund'], {
  cwd: root,
  stdio: 'inherit',
});
