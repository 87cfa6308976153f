import { elasticContract } from './elastic-harness';

elasticContract('Elasticsearch', 'EDUSENTRY_TEST_ELASTICSEARCH_URL');
