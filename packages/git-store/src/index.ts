// The public surface of @planspec/git-store; filled in as the package grows.
export {}
