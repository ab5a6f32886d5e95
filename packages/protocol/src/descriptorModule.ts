import protobuf from 'protobufjs';

/** The TypeScript module that carries the JSON descriptor of `.proto` source (see scripts/generateDescriptor.ts). */
export function descriptorModule(protoSource: string, exportName: string, sourcePath: string): string {
  const descriptor = protobuf.parse(protoSource, { keepCase: false }).root.toJSON();
  return (
    `// Generated from ${sourcePath} by scripts/generateDescriptor.ts. Do not edit: edit the .proto and regenerate.\n` +
    `import type { INamespace } from 'protobufjs/light.js';\n\n` +
    `// protobufjs writes fields (protoName) its own INamespace type does not list, hence the cast.\n` +
    `export const ${exportName} = ${JSON.stringify(descriptor, null, 2)} as unknown as INamespace;\n`
  );
}
