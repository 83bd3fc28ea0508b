print("mapillary-archiver")
