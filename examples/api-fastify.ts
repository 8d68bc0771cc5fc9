// docs/api.md, "Mounting the endpoint": AWS's APIs (ECS, ELBv2, Application Auto Scaling, CloudWatch
// Logs) on a Fastify server, beside the server's own routes.
//   PORT=4566 BATON_SECRET_ACCESS_KEY=… node --import tsx examples/api-fastify.ts
import { createBaton } from 'baton-ecs';
import Fastify from 'fastify';

const baton = await createBaton({ cluster: 'default' });
await baton.start();
const handler = baton.apiHandler({
  credentials: [{ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: process.env.BATON_SECRET_ACCESS_KEY ?? '' }],
});
const app = Fastify();
app.get('/healthz', async () => 'ok');
// AWS's content types (application/x-amz-json-1.1, form-encoded query requests) arrive as a raw
// buffer; the handler reads it from `rawBody` and answers on the raw response.
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
app.post('/', (request, reply) => {
  reply.hijack();
  handler(Object.assign(request.raw, { rawBody: request.body }), reply.raw);
});
const url = await app.listen({ port: Number(process.env.PORT ?? 4566), host: '127.0.0.1' });
console.log(`listening on ${url}`);
process.once('SIGTERM', () => {
  void app
    .close()
    .then(() => baton.stop())
    .then(() => process.exit(0));
});
