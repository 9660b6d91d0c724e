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
    // One GSI slot per index, unique or not (a unique index has 1 field: indexModel.ts).
    indexOptions: {
      supportsIndexes: true,
      maxNumberOfRegularIndexesPerCollection: MAX_INDEXES_PER_COLLECTION,
      maxNumberOfUniqueIndexesPerCollection: MAX_INDEXES_PER_COLLECTION,
      maxNumberOfIndexesPerCollection: MAX_INDEXES_PER_COLLECTION,
    },
  };
}
