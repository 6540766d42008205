// placeholder: the paxos plugin is being written
