/**
 * The app's language in one import: words (messages.ts), formatting (format.ts) and calendar
 * arithmetic (calendar.ts).
 */
export * from './messages.ts'
export * from './format.ts'
export * from './calendar.ts'
