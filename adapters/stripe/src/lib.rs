// placeholder: the stripe plugin is being written
