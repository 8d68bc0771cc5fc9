// docs/api.md, "Mounting the endpoint": ECS's API on your own node:http server.
import { createServer } from 'node:http';
import { createBaton } from 'baton-ecs';

const baton = await createBaton({ cluster: 'default' });
await baton.start();
const handler = baton.apiHandler({
  credentials: [{ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: process.env.BATON_SECRET_ACCESS_KEY ?? '' }],
});
createServer(handler).listen(4566, '127.0.0.1');
