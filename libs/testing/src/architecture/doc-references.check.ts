import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * Finds references in comments and Markdown that a reader of a fresh clone cannot follow: repository
 * paths that do not exist, relative Markdown links to missing files, and design documents that live
 * outside the repository. The design is written down in docs/ (docs/architecture.md,
 * docs/conventions.md); a comment that points elsewhere is a dead end for the next maintainer.
 */
export interface BadReference {
  /** Repository-relative path of the file holding the reference, forward slashes. */
  file: string;
  line: number;
  /** What was cited, as written. */
  cited: string;
  reason: string;
}

/** Directories that are not sources: installed, built, generated at run time, or local state. */
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'coverage', 'out', 'tmp']);
const SOURCE_EXT = /\.(ts|js|mjs|cjs)$/;

/**
 * Design documents that were never part of the repository. Written as a pattern of parts so this file's
 * own source does not cite them.
 */
const EXTERNAL_DOCS = new RegExp(`\\b(${['ARCHITECTURE', 'STYLE', 'ROADMAP'].join('|')})\\.md\\b`, 'g');

/** Every .ts/.js and .md file of the tree, skipping dot-folders (.git, .flowforge, .stack, .nx) and SKIPPED_DIRS. */
export function listDocumentedFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || SKIPPED_DIRS.has(entry.name) || entry.name.startsWith('dist.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && (SOURCE_EXT.test(entry.name) || entry.name.endsWith('.md'))) out.push(full);
    }
  };
  walk(root);
  return out.sort();
}

/** The comments of a TypeScript or JavaScript source, each with its starting offset (parsed, so strings and regexes are never taken for comments). */
export function commentsOf(fileName: string, text: string): { pos: number; text: string }[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, fileName.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS);
  const seen = new Map<number, string>();
  const visit = (node: ts.Node): void => {
    // Every comment sits in the trivia around some token: leading (own line, end-of-file token
    // included) or trailing (after it on the same line).
    const ranges = [...(ts.getLeadingCommentRanges(text, node.getFullStart()) ?? []), ...(ts.getTrailingCommentRanges(text, node.getEnd()) ?? [])];
    for (const range of ranges) {
      if (!seen.has(range.pos)) seen.set(range.pos, text.slice(range.pos, range.end));
    }
    for (const child of node.getChildren(source)) visit(child);
  };
  visit(source);
  return [...seen].sort(([a], [b]) => a - b).map(([pos, t]) => ({ pos, text: t }));
}

/**
 * A repository path as prose cites it: starts with a top-level folder of the repository (`libs/…`,
 * `docs/…`) or is a Markdown file at the root, and is not glued to a longer path (`../libs`, `src/libs`).
 */
function rootedPathPattern(topLevel: string[]): RegExp {
  const dirs = topLevel.map((d) => d.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  return new RegExp(`(?<![\\w./@~-])((?:${dirs})(?:(?:/[\\w.@<>*{}$…-]+)+/?|/)|[A-Za-z][\\w-]*\\.md)(?![\\w/])`, 'g');
}

/** Placeholders and patterns (`services/<name>`, `proto/*.avsc`, `${x}`) name no one file: not checked. */
function isPattern(cited: string): boolean {
  return /[<>*{}$…]|\.\.\./.test(cited);
}

/** `a.ts.` at the end of a sentence cites `a.ts`. */
function trimProse(cited: string): string {
  return cited.replace(/[.,:;]+$/, '');
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function existsInTree(root: string, rel: string): boolean {
  const full = path.resolve(root, rel);
  // A reference that climbs out of the repository cannot be followed from a clone.
  if (full !== root && !full.startsWith(root + path.sep)) return false;
  return fs.existsSync(full);
}

/** Checks one file's text (a source's comments, or a whole Markdown file). */
export function checkText(root: string, file: string, text: string, topLevel: string[]): BadReference[] {
  const rel = path.relative(root, file).split(path.sep).join('/');
  const bad: BadReference[] = [];
  const rooted = rootedPathPattern(topLevel);
  // Parsing is the slow part: a source whose whole text cites nothing has no comment that does.
  if (!file.endsWith('.md') && !new RegExp(rooted.source).test(text) && !new RegExp(EXTERNAL_DOCS.source).test(text)) return [];
  const chunks = file.endsWith('.md') ? [{ pos: 0, text }] : commentsOf(file, text);
  const linkTarget = /\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
  for (const chunk of chunks) {
    const at = (offset: number): number => lineAt(text, chunk.pos + offset);
    for (const m of chunk.text.matchAll(EXTERNAL_DOCS)) {
      bad.push({ file: rel, line: at(m.index), cited: m[0], reason: 'not a file of this repository: cite docs/architecture.md or docs/conventions.md' });
    }
    // Link targets are checked as links below (relative to the Markdown file), not as prose.
    const prose = file.endsWith('.md') ? chunk.text.replace(linkTarget, (m) => ' '.repeat(m.length)) : chunk.text;
    for (const m of prose.matchAll(rooted)) {
      const cited = trimProse(m[1]!);
      if (isPattern(cited) || new RegExp(EXTERNAL_DOCS.source).test(cited)) continue;
      // A bare `README.md` may mean the one beside the citing file as well as the root one.
      const beside = !cited.includes('/') && existsInTree(root, path.posix.join(path.posix.dirname(rel), cited));
      if (!beside && !existsInTree(root, cited)) bad.push({ file: rel, line: at(m.index), cited, reason: 'no such path in the repository' });
    }
    if (file.endsWith('.md')) {
      // Relative links resolve from the Markdown file's own folder, as GitHub renders them.
      for (const m of chunk.text.matchAll(linkTarget)) {
        const target = m[1]!;
        if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue;
        const local = decodeURIComponent(target.replace(/[#?].*$/, ''));
        if (local === '' || isPattern(local)) continue;
        const resolved = local.startsWith('/') ? local.slice(1) : path.posix.join(path.posix.dirname(rel), local);
        if (!existsInTree(root, resolved)) bad.push({ file: rel, line: at(m.index), cited: target, reason: 'link target does not exist' });
      }
    }
  }
  return bad;
}

/** The workspace's own top-level folders: a citation of one is checked even when the folder is missing. */
const WORKSPACE_FOLDERS = ['bench', 'docs', 'libs', 'proto', 'scripts', 'services'];

/** Top-level folders a rooted citation can start with (what a clone has, not build output). */
export function topLevelNames(root: string): string[] {
  const present = fs
    .readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !SKIPPED_DIRS.has(e.name) && !e.name.startsWith('dist.'))
    .map((e) => e.name);
  return [...new Set([...present, ...WORKSPACE_FOLDERS])].sort();
}

export function findBadReferences(root: string): BadReference[] {
  const resolvedRoot = path.resolve(root);
  const topLevel = topLevelNames(resolvedRoot);
  return listDocumentedFiles(resolvedRoot).flatMap((file) => checkText(resolvedRoot, file, fs.readFileSync(file, 'utf8'), topLevel));
}
