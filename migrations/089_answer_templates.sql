-- Answers an executor starts from: per category, or for every category (category_id NULL). A city
-- edits them as data; the generic ones below are a start.
CREATE TABLE answer_template (
  id          serial PRIMARY KEY,
  category_id int REFERENCES category ON DELETE CASCADE,
  title       text NOT NULL CHECK (title <> ''),
  body        text NOT NULL CHECK (body <> ''),
  sort        int NOT NULL DEFAULT 0
);
CREATE INDEX answer_template_category_idx ON answer_template (category_id, sort);

INSERT INTO answer_template (category_id, title, body, sort) VALUES
  (NULL, 'Роботи виконано', 'Шановний заявнику! Роботи за вашим зверненням виконано. Дякуємо за звернення.', 1),
  (NULL, 'Заплановано', 'Шановний заявнику! Роботи за вашим зверненням включено до плану; про виконання вас буде повідомлено.', 2),
  (NULL, 'Роз’яснення', 'Шановний заявнику! Надаємо роз’яснення щодо вашого звернення: ', 3),
  (NULL, 'Не наша компетенція', 'Питання не належить до компетенції нашої організації; звернення повернуто до контакт-центру для перенаправлення.', 4);
