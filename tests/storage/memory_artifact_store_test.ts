import { MemoryArtifactStore } from "../../storage/memory_artifact_store.ts";
import { artifactStoreContract } from "./artifact_store_contract.ts";

artifactStoreContract({
  name: "MemoryArtifactStore",
  create: () => new MemoryArtifactStore(),
  reopen: (store) => store,
  foreignUris: () => [
    "file:///tmp/models/v1.json",
    "memory://models",
    "memory://models/",
    "memory://models/../v1.json",
    "memory://models/sub/v1.json",
    "memory:///models/v1.json",
    "models/v1.json",
  ],
  permissions: "none",
});
