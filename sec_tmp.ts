import { makeCertificates } from "./scripts/services/certificates.ts";
import { startEtcd } from "./scripts/services/etcd.ts";
const dir = "/tmp/sec-certs";
await Deno.mkdir(dir, { recursive: true });
const certs = await makeCertificates(dir);
const etcd = await startEtcd({ tls: certs, rootPassword: "pw" });
console.log(etcd.endpoints);
Deno.addSignalListener("SIGTERM", async () => {
  await etcd.stop();
  Deno.exit(0);
});
