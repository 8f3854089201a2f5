import { MemoryBucketStore } from "../../storage/memory_bucket_store.ts";
import { bucketStoreContract } from "./bucket_store_contract.ts";

bucketStoreContract({
  name: "MemoryBucketStore",
  create: () => new MemoryBucketStore(),
  reopen: (store) => store,
  permissions: "none",
});
