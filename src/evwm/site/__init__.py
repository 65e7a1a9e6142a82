"""The site: the MkDocs plugin, its configuration, page rendering and the build/serve commands."""
