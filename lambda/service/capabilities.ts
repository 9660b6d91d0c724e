/** What this adaptor can do, as /v3/capabilities/get reports it. */
import { SUPPORTED_FIELD_TYPES } from './fieldTypes';
import { MAX_INDEXES_PER_COLLECTION } from './indexModel';

export interface Capabilities {
  supportsCollectionModifications: boolean;
  supportedFieldTypes: string[];
  indexOptions: {
    supportsIndexes: boolean;
    maxNumberOfRegularIndexesPerCollection: number;
    maxNumberOfUniqueIndexesPerCollection: number;
    maxNumberOfIndexesPerCollection: number;
  };
}

export function getCapabilities(): Capabilities {
  return {
    supportsCollectionModifications: true,
    supportedFieldTypes: [...SUPPORTED_FIELD_TYPES],
    // One GSI slot per index. Unique indexes are refused until their enforcement exists.
    indexOptions: {
      supportsIndexes: true,
      maxNumberOfRegularIndexesPerCollection: MAX_INDEXES_PER_COLLECTION,
      maxNumberOfUniqueIndexesPerCollection: 0,
      maxNumberOfIndexesPerCollection: MAX_INDEXES_PER_COLLECTION,
    },
  };
}
