// Runs a compiled entry point (`node scripts/built.mjs dist/src/cli.js migrate`), building first
// only when the sources are newer than the build: `npm run cli` compiled the whole project on
// every call (12 s here for a one-second command). Where there are no sources (the Docker image
// ships dist/ only, without TypeScript), the build is used as it is.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [entry, ...args] = process.argv.slice(2);
const SOURCES = ['src', 'migrations', 'bench', 'tsconfig.json', 'tsconfig.build.json'];

function newest(target) {
  if (!fs.existsSync(target)) return 0;
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs; // a deleted file changes its folder
  for (const name of fs.readdirSync(target))
    latest = Math.max(latest, newest(path.join(target, name)));
  return latest;
}

const hasSources = fs.existsSync('src');
const builtAt = fs.existsSync(entry) ? fs.statSync(entry).mtimeMs : 0;
if (hasSources && Math.max(...SOURCES.map(newest)) > builtAt) {
  const build = spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const run = spawnSync(process.execPath, [entry, ...args], { stdio: 'inherit' });
// A signal's conventional exit code (130 for SIGINT), as a shell would give.
process.exit(run.status ?? 128 + (os.constants.signals[run.signal] ?? 0));
