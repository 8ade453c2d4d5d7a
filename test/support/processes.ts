import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname ?? '.', '../..');

export interface Exited {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the compiled CLI (`npm test` builds first) to completion. */
export function runCli(
  args: string[],
  env: Record<string, string>,
  input?: string,
): Promise<Exited> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'dist/src/cli.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** Starts the compiled server; resolves once it answers /health/ready. */
export async function startServerProcess(
  env: Record<string, string>,
  options: { waitForHttp?: boolean } = {},
): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  // A worker serves no HTTP: it is up once it logs (at info) that it started.
  const waitForLog = options.waitForHttp === false;
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/src/main.js')], {
    cwd: ROOT,
    env: {
      ...process.env,
      LOG_LEVEL: waitForLog ? 'info' : 'warn',
      HOST: '127.0.0.1',
      // As in the in-process app: the fixtures are years old, and the limit has its own tests.
      SNAPSHOT_MAX_AGE_DAYS: '0',
      ...env,
    },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.resume();
  const url = `http://127.0.0.1:${env.PORT}`;
  if (waitForLog) {
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (stdout.includes('"msg":"Started"')) return { child, url, stderr: () => stderr };
      if (child.exitCode !== null) throw new Error(`worker exited ${child.exitCode}: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill('SIGKILL');
    throw new Error(`worker did not start: ${stderr}`);
  }
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${url}/health/ready`)).ok) return { child, url, stderr: () => stderr };
    } catch {
      // not yet listening
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`server not ready: ${stderr}`);
}

export function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
