export * from '@edusentry/sample';
