// docs/api.md, "Mounting the endpoint": AWS's APIs (ECS, ELBv2, Application Auto Scaling, CloudWatch
// Logs) on an Express app, beside the app's own routes.
//   PORT=4566 BATON_SECRET_ACCESS_KEY=… node --import tsx examples/api-express.ts
import type { AddressInfo } from 'node:net';
import { createBaton } from 'baton-ecs';
import express from 'express';

const baton = await createBaton({ cluster: 'default' });
await baton.start();
const app = express();
app.get('/healthz', (_req, res) => {
  res.send('ok');
});
// AWS clients POST to the endpoint URL's path ("/" here). Register the handler before any body parser:
// it reads (and signs over) the raw body itself.
app.post(
  '/',
  baton.apiHandler({
    credentials: [{ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: process.env.BATON_SECRET_ACCESS_KEY ?? '' }],
  }),
);
const server = app.listen(Number(process.env.PORT ?? 4566), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.once('SIGTERM', () => {
  server.close();
  void baton.stop().then(() => process.exit(0));
});
