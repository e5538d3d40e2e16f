import fs from 'node:fs';
import path from 'node:path';

/** The repository root (docs/ lives there). */
export const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');

export interface CodeBlock {
  /** The info string's first word: `bash`, `graphql`, `json`, … */
  lang: string;
  /** The block's text, without the fence's indentation. */
  code: string;
  /** 1-based line of the opening fence, for test names. */
  line: number;
}

/**
 * The fenced code blocks of a Markdown file, in order. Only backtick fences at any indentation
 * (blocks nested in list items included) are used in our docs; the closing fence must match the
 * opening one's length, as in CommonMark.
 */
export function codeBlocks(file: string): CodeBlock[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^( *)(`{3,})(\S*)/.exec(lines[i]!);
    if (!open) continue;
    const [, indent, fence, lang] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !new RegExp(`^ *${fence}\\s*$`).test(lines[j]!); j++) body.push(lines[j]!.startsWith(indent!) ? lines[j]!.slice(indent!.length) : lines[j]!.trimStart());
    if (j === lines.length) throw new Error(`${file}:${i + 1}: unclosed code fence`);
    blocks.push({ lang: lang!, code: body.join('\n') + '\n', line: i + 1 });
    i = j;
  }
  return blocks;
}

/** The regular expressions of a block's `# expect: …` (or `// expect: …`) lines. */
export function expectations(code: string): RegExp[] {
  return [...code.matchAll(/^\s*(?:#|\/\/) expect: (.+)$/gm)].map((m) => new RegExp(m[1]!, 'm'));
}
