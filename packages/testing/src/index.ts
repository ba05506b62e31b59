// The public surface of @planspec/testing; filled in as the package grows.
export {}
