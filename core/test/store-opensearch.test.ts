import { elasticContract } from './elastic-harness';

elasticContract('OpenSearch', 'EDUSENTRY_TEST_OPENSEARCH_URL');
