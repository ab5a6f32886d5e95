/**
 * Turns proto/*.proto into src/generated/*Descriptor.ts (protobufjs JSON descriptors as TypeScript modules), so the
 * codec loads its types with protobufjs/light in Node and the browser alike, with no file loader. Run it after
 * editing a .proto: `pnpm --filter @twohop/protocol generate`. A test fails when the two drift apart.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { descriptorModule } from '../src/descriptorModule.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const source = readFileSync(here('../proto/envelope.proto'), 'utf8');
writeFileSync(
  here('../src/generated/envelopeDescriptor.ts'),
  descriptorModule(source, 'envelopeDescriptor', 'proto/envelope.proto'),
);
console.log('wrote src/generated/envelopeDescriptor.ts');
