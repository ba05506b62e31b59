// The public surface of @planspec/github; filled in as the package grows.
export {}
