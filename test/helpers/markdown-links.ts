import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

/** The repository's own address on GitHub: links to it are links into this checkout. */
export const REPO_URL = 'https://github.com/tensorpix-exporter/tensorpix-exporter';

/** A link as written: where it is (file and line) and what it points to. */
export interface Link {
  file: string;
  line: number;
  target: string;
}

/** FENCE matches a fenced block, indented in a list item or not. */
const FENCE = /^ *(```|~~~)[^\n]*\n[\s\S]*?^ *\1[^\n]*$/gm;

/** withoutCode blanks fenced blocks and inline code, keeping the line count, so their text is neither a heading nor a link. */
function withoutCode(markdown: string): string {
  return markdown.replace(FENCE, (block) => block.replace(/[^\n]/g, '')).replace(/(`+)[^\n]*?\1/g, '');
}

/**
 * slugOf is GitHub's anchor of a heading's text: the Markdown of the text dropped (code
 * ticks, emphasis, a link's address), lower case, every character but letters, digits,
 * `_`, `-` and spaces dropped, and each space a `-`.
 */
export function slugOf(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}_\- ]/gu, '')
    .replace(/ /g, '-');
}

/** anchorsOf lists a Markdown file's anchors: one a heading, a repeated one suffixed -1, -2…, and HTML ids. */
export function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const match of markdown.replace(FENCE, '').matchAll(/^#{1,6} +(.+?)#*$/gm)) {
    const slug = slugOf(match[1]!);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  for (const match of markdown.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(match[1]!);
  return anchors;
}

/** linksOf lists the links of a Markdown file: inline `[text](target)`, images, and `[label]: target` definitions. */
export function linksOf(file: string, markdown: string): Link[] {
  const links: Link[] = [];
  withoutCode(markdown)
    .split('\n')
    .forEach((text, index) => {
      for (const match of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g))
        links.push({ file, line: index + 1, target: match[1]! });
      const definition = /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/.exec(text);
      if (definition) links.push({ file, line: index + 1, target: definition[1]! });
    });
  return links;
}

/** repoUrlsOf lists the links into this repository (`REPO_URL/blob/main/…`) in any text file: rules, dashboards, manifests. */
export function repoUrlsOf(file: string, text: string): Link[] {
  const pattern = new RegExp(`${REPO_URL.replace(/[.]/g, '\\.')}/(?:blob|tree)/main/[^\\s"'<>)]*`, 'g');
  return text
    .split('\n')
    .flatMap((line, index) =>
      [...line.matchAll(pattern)].map((m) => ({ file, line: index + 1, target: m[0] })),
    );
}

/**
 * problemOf says what is wrong with a link, or undefined when it lands: a relative path must
 * name a file or folder of the repository, and an anchor a heading of the Markdown file it
 * points to. Links elsewhere (http:, mailto:) are not followed.
 */
export function problemOf(repo: string, link: Link): string | undefined {
  let target = link.target;
  let base = dirname(join(repo, link.file));
  if (target.startsWith(REPO_URL)) {
    target = target.replace(/^[^#]*?\/(?:blob|tree)\/main\//, '');
    base = repo;
  } else if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined;
  const hash = target.indexOf('#');
  const path = hash < 0 ? target : target.slice(0, hash);
  const anchor = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
  const file = path === '' ? join(repo, link.file) : normalize(join(base, decodeURIComponent(path)));
  const name = relative(repo, file);
  if (name.startsWith('..')) return `${link.target} leaves the repository`;
  if (!existsSync(file)) return `${name} does not exist`;
  if (anchor === undefined) return undefined;
  if (statSync(file).isDirectory() || !file.endsWith('.md')) return `#${anchor}: ${name} is not Markdown`;
  if (!anchorsOf(readFileSync(file, 'utf8')).has(anchor)) return `no heading gives #${anchor} in ${name}`;
  return undefined;
}
