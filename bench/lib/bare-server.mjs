// The start-up baseline: a bare Fastify process answering GET /compute/v2.1 (plain JavaScript, no
// loader), on 127.0.0.1:$PORT.
import process from 'node:process';
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/compute/v2.1', async () => ({ version: { id: 'v2.1', status: 'CURRENT' } }));
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
