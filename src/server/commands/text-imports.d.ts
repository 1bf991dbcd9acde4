// Files embedded with `import text from '…' with { type: 'text' }` (see service-unit.ts).
declare module '*.service' {
  const text: string
  export default text
}
