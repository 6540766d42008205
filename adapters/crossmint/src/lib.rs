// placeholder: the crossmint plugin is being written
