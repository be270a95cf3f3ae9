//! The contact editor, as a feature. So far: the save path that never overwrites a change
//! made on the site since the contact was loaded (`save`); the pane and its panels come next.

pub mod save;
