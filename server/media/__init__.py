"""Media: what an upload is (sniff), how it is checked and spooled as it streams
in (intake), what is made of an image (images), and where blobs live (storage)."""
