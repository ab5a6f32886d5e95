/** Regenerates src/domain/generated/bookDescriptor.ts from proto/book.proto (a test fails when they drift apart). */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { descriptorModule } from '@twohop/protocol/descriptor';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
writeFileSync(
  here('../src/domain/generated/bookDescriptor.ts'),
  descriptorModule(readFileSync(here('../proto/book.proto'), 'utf8'), 'bookDescriptor', 'proto/book.proto'),
);
console.log('wrote src/domain/generated/bookDescriptor.ts');
