// The public surface of @planspec/agent; filled in as the package grows.
export {}
