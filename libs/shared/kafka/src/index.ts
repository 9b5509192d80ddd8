export * from './kafka-message-log';
