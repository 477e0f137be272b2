// Dependencies point down (ARCHITECTURE.md, "Layout"): nothing below api/ imports from it, so a service, an activity
// or a script can run without Fastify, and a page and a JSON route share one service instead of one calling the other.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const belowApi = ['services', 'domain', 'db', 'activities', 'workflows', 'infra'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** Every module specifier of a file: static imports and exports, `import type`, and dynamic `import('…')`. */
function specifiers(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g)) found.push(match[1]!);
  return found;
}

describe('layering', () => {
  it('finds static, type-only and dynamic imports', () => {
    expect(
      specifiers(`import { a } from '../api/x.js';\nimport type { B } from "./b.js";\nawait import('../api/y.js');`),
    ).toEqual(['../api/x.js', './b.js', '../api/y.js']);
  });

  it.each(belowApi)('%s/ imports nothing from api/', (layer) => {
    const offenders = sourceFiles(join(root, layer)).flatMap((file) =>
      specifiers(readFileSync(file, 'utf8'))
        .filter((spec) => spec.startsWith('.'))
        .map((spec) => relative(root, resolve(dirname(file), spec)))
        .filter((target) => target === 'api' || target.startsWith('api/'))
        .map((target) => `${relative(root, file)} → ${target}`),
    );
    expect(offenders).toEqual([]);
  });
});
