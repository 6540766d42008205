// placeholder: the kriptomat plugin is being written
