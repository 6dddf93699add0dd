"""What the journal holds, shown: the History tab and the unfinished-uploads bar."""
