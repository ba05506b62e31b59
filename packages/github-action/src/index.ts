// The public surface of @planspec/github-action; filled in as the package grows.
export {}
