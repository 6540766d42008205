// placeholder: the proof plugin is being written
