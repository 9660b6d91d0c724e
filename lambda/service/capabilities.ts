/** What this adaptor can do, as /v3/capabilities/get reports it. */
import { SUPPORTED_FIELD_TYPES } from './fieldTypes';

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
    // Wix indexes (GSI slots) are not implemented yet, so none are offered.
    indexOptions: {
      supportsIndexes: false,
      maxNumberOfRegularIndexesPerCollection: 0,
      maxNumberOfUniqueIndexesPerCollection: 0,
      maxNumberOfIndexesPerCollection: 0,
    },
  };
}
