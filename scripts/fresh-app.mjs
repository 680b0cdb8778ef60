#!/usr/bin/env node
// The README's "Getting started" as a new user follows it, checked: packs this package, makes a
// new Vite app in a temporary directory outside the repository from the README's code blocks
// (each starts with a comment naming its file), installs the tarball, builds the app, serves the
// build and drives two tabs of it in Chromium: a message sent in one shows in the other.
// Needs the npm registry or an npm cache holding vite and the package's dependencies.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { chromium } from '@playwright/test';

const repo = resolve(import.meta.dirname, '..');
const started = Date.now();
const step = (what) => console.log(`[fresh-app ${((Date.now() - started) / 1000).toFixed(1)} s] ${what}`);
const run = (command, args, cwd) => {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
};

/** The README's Getting started code blocks that name a file on their first line: `// src/main.ts`, `<!-- index.html -->`. */
export function gettingStartedFiles(readme) {
  const section = readme.split(/^## /m).find((s) => s.startsWith('Getting started'));
  if (section === undefined) throw new Error('README.md has no "## Getting started" section');
  const files = new Map();
  for (const [, body] of section.matchAll(/```\w*\n([\s\S]*?)```/g)) {
    const name = /^(?:\/\/|<!--)\s*([\w./-]+\.\w+)[\s:]/.exec(body)?.[1];
    if (name !== undefined) files.set(name, body);
  }
  return files;
}

const app = mkdtempSync(join(tmpdir(), 'lockstep-fresh-app-'));
let server;
let browser;
try {
  // `--built`: dist/ is fresh (npm test builds it just before); otherwise build it now, never pack a stale one.
  if (!process.argv.includes('--built') || !existsSync(join(repo, 'dist/lib/index.js'))) run('npm', ['run', '--silent', 'build'], repo);
  const tarball = join(app, run('npm', ['pack', '--silent', '--pack-destination', app], repo).trim().split('\n').pop());
  step(`packed ${tarball}`);
  const files = gettingStartedFiles(readFileSync(join(repo, 'README.md'), 'utf8'));
  for (const needed of ['index.html', 'src/main.ts', 'src/chat.module.ts', 'src/chat.worker.ts']) {
    if (!files.has(needed)) throw new Error(`README.md's Getting started shows no ${needed}`);
  }
  for (const [name, body] of files) {
    mkdirSync(dirname(join(app, name)), { recursive: true });
    writeFileSync(join(app, name), body);
  }
  const viteVersion = JSON.parse(readFileSync(join(repo, 'node_modules/vite/package.json'), 'utf8')).version;
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'fresh-app', private: true, type: 'module', scripts: { dev: 'vite', build: 'vite build', preview: 'vite preview' } }, null, 2));
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball, `vite@${viteVersion}`], app);
  step('installed the tarball and vite');
  run('npx', ['vite', 'build'], app);
  step('built the app');

  const port = 4700 + Math.floor(Math.random() * 200);
  server = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  await new Promise((resolvePromise, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`vite preview did not start:\n${output}`)), 30_000);
    const listen = (chunk) => {
      output += chunk;
      // Vite colours the port (bold) when it thinks it writes to a terminal, as under CI=true: match without the colour codes.
      if (output.replace(/\x1b\[[0-9;]*m/g, '').includes(`:${port}`)) (clearTimeout(timer), resolvePromise());
    };
    server.stdout.on('data', listen);
    server.stderr.on('data', listen);
    server.on('exit', (code) => reject(new Error(`vite preview exited (${code}):\n${output}`)));
  });
  const url = `http://127.0.0.1:${port}/`;
  step(`serving at ${url}`);

  const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  browser = await chromium.launch({
    ...(existsSync(chromiumPath) ? { executablePath: chromiumPath } : {}),
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext();
  const errors = [];
  const [first, second] = [await context.newPage(), await context.newPage()];
  for (const page of [first, second]) {
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('dialog', (dialog) => (errors.push(`alert: ${dialog.message()}`), dialog.dismiss()));
    await page.goto(url);
  }
  const send = async (page, text) => {
    await page.locator('input').fill(text);
    await page.locator('button').click();
  };
  const items = (page) => page.locator('#messages li');
  const waitFor = async (page, texts) => {
    await page.waitForFunction((want) => JSON.stringify([...document.querySelectorAll('#messages li')].map((li) => li.textContent)) === JSON.stringify(want), texts, { timeout: 15_000 });
  };
  await send(first, 'hello from tab 1');
  await waitFor(second, ['hello from tab 1']);
  await send(second, 'and from tab 2');
  await waitFor(first, ['hello from tab 1', 'and from tab 2']);
  const refused = first.waitForEvent('dialog');
  await send(first, '');
  if ((await refused).message() !== 'Message must not be empty') throw new Error(`unexpected alert: ${(await refused).message()}`);
  if ((await items(first).count()) !== 2) throw new Error('an empty message was stored');
  step('two tabs share the chat');
  const unexpected = errors.filter((e) => e !== 'alert: Message must not be empty');
  if (unexpected.length > 0) throw new Error(`the app reported errors: ${unexpected.join('; ')}`);
  step('passed');
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await browser?.close();
  if (server?.pid !== undefined) {
    try {
      process.kill(-server.pid);
    } catch {}
  }
  rmSync(app, { recursive: true, force: true });
}
