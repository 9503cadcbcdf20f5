"""What the machines share besides the database's own tables: the files the application
keeps for a while (``kansrijk.kept_files``) and the pulse of background work
(``kansrijk.pulse``), both in the database (decision 0050)."""
