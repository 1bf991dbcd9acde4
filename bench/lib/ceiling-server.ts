/**
 * The ceiling of the server bench: a bare `Bun.serve` on loopback that answers every request
 * with a fixed body, "hello" or the bytes of the file given as the first argument (a
 * pre-rendered /nodes document). Prints "listening PORT" once bound; runs until killed.
 */
export {}

const file = process.argv[2]
const body = file ? await Bun.file(file).bytes() : 'hello'
const type = file ? 'application/json' : 'text/plain'
const server = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  fetch: () => new Response(body, { headers: { 'content-type': type } }),
})
console.log(`listening ${server.port}`)
