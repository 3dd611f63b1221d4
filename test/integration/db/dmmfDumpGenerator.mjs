// A minimal Prisma generator that writes the schema's DMMF (Prisma's own parse of schema.prisma) to the
// file named by the DMMF_OUT environment variable. Prisma spawns generators and talks JSON-RPC with them:
// requests arrive as JSON lines on stdin, responses go back as JSON lines on stderr. This is the public
// generator protocol (what @prisma/generator-helper implements), used here because @prisma/internals'
// getDMMF is not installed and the schema engine is unavailable.
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const respond = (message) => process.stderr.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);

createInterface({ input: process.stdin }).on('line', (line) => {
  const request = JSON.parse(line);
  if (request.method === 'getManifest') {
    respond({ id: request.id, result: { manifest: { prettyName: 'DMMF dump', requiresGenerators: [] } } });
  } else if (request.method === 'generate') {
    try {
      writeFileSync(process.env.DMMF_OUT, JSON.stringify(request.params.dmmf.datamodel, null, 2));
      respond({ id: request.id, result: null });
    } catch (error) {
      respond({ id: request.id, error: { code: -32000, message: String(error), data: null } });
    }
  }
});
