// The public surface of @planspec/server; filled in as the package grows.
export {}
